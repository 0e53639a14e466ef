using MemScore.Core;

namespace MemScore.Data;

/// <summary>
/// PNG/JPEG files from --data-dir. Either all images lie directly in the folder (label 0), or each
/// subfolder is a class (label = index of the subfolder in ordinal name order; images found at any
/// depth below it). Order: ordinal sort of the '/'-separated relative paths; source index = position
/// in that order. Names starting with '.' are skipped. Each image is cropped to its largest centred
/// square and resized to size x size (<see cref="ImageResampler.Resize"/>, antialiased bilinear).
/// Channels: C = 1 when every pixel of every image is grey (R = G = B: greyscale files, or colour
/// files holding only greys), else C = 3 (greyscale images then get three equal channels).
/// Transparent pixels are composited onto black.
/// </summary>
internal sealed class ImageFolderDatasetProvider : IDatasetProvider
{
    static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];
    readonly int _size;

    public ImageFolderDatasetProvider(int size = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _size = size;
    }

    public string Name => "image-folder";
    public string Description => $"PNG/JPEG files in --data-dir (class subfolders optional), centre-cropped and resized to {_size}x{_size}";

    public ImageDataset Load(DatasetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Download) throw new InvalidConfigurationException("dataset 'image-folder' reads your own files; --download does not apply");
        string root = request.DataDirectory ?? throw new InvalidConfigurationException("dataset 'image-folder' needs --data-dir: a folder of PNG/JPEG files, optionally in class subfolders");
        var (files, labels) = List(root);
        int plane = _size * _size;
        var rgb = ImageDecoder.DecodeAll(files.Length, 3 * plane, i => DecodeOne(files[i]), root);
        bool grey = AllGrey(rgb, plane);
        var pixels = grey ? FirstPlanes(rgb, plane) : rgb;
        return ImageDataset.FromBytes(Name, pixels, [files.Length, grey ? 1 : 3, _size, _size], labels, Enumerable.Range(0, files.Length).ToArray());
    }

    /// <summary>
    /// The image files in dataset order with their labels. Symbolic links are followed, but every real
    /// folder is walked once and every real file counted once (the first path met, walking each folder's
    /// entries in ordinal name order, depth first); a link back to a folder that contains it (a loop) is
    /// refused naming the link. Entries with an image extension must be regular files.
    /// </summary>
    public static (string[] Files, int[] Labels) List(string root)
    {
        if (InputFile.Stat(root) is not { Kind: FileKind.Directory } rootStatus) throw new InvalidInputException(root, "no such folder (--data-dir)");
        var walk = new FolderWalk();
        var (topImages, classes) = walk.Enter(root, rootStatus);
        var perClass = classes.Select(c => walk.ImagesBelow(c.Path, c.Status)).ToArray();
        if (topImages.Length > 0)
        {
            int nested = Array.FindIndex(perClass, c => c.Length > 0);
            if (nested >= 0)
                throw new InvalidInputException(root, $"holds images both at the top level and in subfolder '{Path.GetFileName(classes[nested].Path)}': put every image in a class subfolder, or none");
            return (SortByRelativePath(root, topImages), new int[topImages.Length]);
        }
        if (classes.Length == 0) throw new InvalidInputException(root, "holds no PNG or JPEG images");
        int empty = Array.FindIndex(perClass, c => c.Length == 0);
        if (empty >= 0) throw new InvalidInputException(classes[empty].Path, "class folder holds no PNG or JPEG images");
        var labelled = perClass.SelectMany((files, label) => files.Select(f => (File: f, Label: label)))
            .OrderBy(x => RelativePath(root, x.File), StringComparer.Ordinal).ToArray();
        return (labelled.Select(x => x.File).ToArray(), labelled.Select(x => x.Label).ToArray());
    }

    /// <summary>One walk of a folder tree by file identity (device, inode), so links can neither loop nor count a file twice.</summary>
    sealed class FolderWalk
    {
        const int MaxDepth = 64;
        readonly HashSet<(ulong, ulong)> _walked = [];
        readonly HashSet<(ulong, ulong)> _files = [];
        readonly Dictionary<(ulong, ulong), string> _open = [];   // folders on the current path -> their path

        /// <summary>Opens <paramref name="folder"/>: its new images and the subfolders not walked yet, in ordinal name order.</summary>
        public (string[] Images, (string Path, FileStatus Status)[] Folders) Enter(string folder, FileStatus status)
        {
            if (_open.Count >= MaxDepth) throw new InvalidInputException(folder, $"folders nested more than {MaxDepth} deep below --data-dir");
            _walked.Add(status.Identity);
            _open[status.Identity] = folder;
            var images = new List<string>();
            var folders = new List<(string, FileStatus)>();
            foreach (string path in Visible(Directory.EnumerateFileSystemEntries(folder)).Order(StringComparer.Ordinal))
            {
                var entry = InputFile.Stat(path);
                if (entry is { Kind: FileKind.Directory } sub)
                {
                    if (_open.TryGetValue(sub.Identity, out string? ancestor))
                        throw new InvalidInputException(path, $"symbolic link loop: leads back to {ancestor}, which contains it; remove the link");
                    if (_walked.Add(sub.Identity)) folders.Add((path, sub));
                }
                else if (IsImage(path))
                {
                    var file = InputFile.RequireRegular(path, ErrorKind.InvalidInput, "a PNG or JPEG image");
                    if (_files.Add(file.Identity)) images.Add(path);
                }
            }
            return (images.ToArray(), folders.ToArray());
        }

        public string[] ImagesBelow(string folder, FileStatus status)
        {
            var (images, folders) = Enter(folder, status);
            var below = images.Concat(folders.SelectMany(f => ImagesBelow(f.Path, f.Status))).ToArray();
            _open.Remove(status.Identity);
            return below;
        }
    }

    byte[] DecodeOne(string path)
    {
        var image = ImageDecoder.DecodeRgb(path);
        var square = ImageResampler.CropCentredSquare(image.Planes, 3, image.Height, image.Width, out int side);
        return ImageResampler.Resize(square, 3, side, side, _size, _size);
    }

    static IEnumerable<string> Visible(IEnumerable<string> paths) => paths.Where(p => !Path.GetFileName(p).StartsWith('.'));

    static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    static string RelativePath(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    static string[] SortByRelativePath(string root, string[] files) => files.OrderBy(f => RelativePath(root, f), StringComparer.Ordinal).ToArray();

    static bool AllGrey(byte[] rgb, int plane)
    {
        for (int image = 0; image < rgb.Length; image += 3 * plane)
        {
            var red = rgb.AsSpan(image, plane);
            if (!red.SequenceEqual(rgb.AsSpan(image + plane, plane)) || !red.SequenceEqual(rgb.AsSpan(image + 2 * plane, plane))) return false;
        }
        return true;
    }

    static byte[] FirstPlanes(byte[] rgb, int plane)
    {
        int count = rgb.Length / (3 * plane);
        var grey = new byte[count * plane];
        for (int i = 0; i < count; i++) Buffer.BlockCopy(rgb, i * 3 * plane, grey, i * plane, plane);
        return grey;
    }
}
